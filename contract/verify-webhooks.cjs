// Verifies webhook deliveries with the standardwebhooks npm package, an implementation of the Standard Webhooks
// specification independent of ours (tests/CrmPlatform.Tests/Integrations). Input: a JSON file of
// [{ "body": base64, "headers": { "webhook-id", "webhook-timestamp", "webhook-signature" }, "secret": "whsec_…" }].
// Prints one line of JSON: whether each message verified with its secret, in input order.
const { Webhook } = require("standardwebhooks");
const { readFileSync } = require("node:fs");

const messages = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = messages.map(({ body, headers, secret }) => {
  try {
    new Webhook(secret).verify(Buffer.from(body, "base64"), headers);
    return { verified: true };
  } catch (error) {
    return { verified: false, error: String(error.message) };
  }
});
console.log(JSON.stringify(results));
