// A front-end team's client, from the generated types (`generated/*.ts`, written by openapi-typescript from each
// service's OpenAPI document in the contract tests). It must compile with `tsc --strict`: the calls below fail to
// compile if an operation, a parameter or a response field they use goes missing or changes type.
import createClient from "openapi-fetch";
import type { paths as ContactsPaths } from "./generated/contacts";
import type { paths as SalesPaths } from "./generated/sales";
import type { paths as ServicePaths } from "./generated/service";
import type { paths as MarketingPaths } from "./generated/marketing";
import type { paths as IdentityPaths } from "./generated/identity";

const baseUrl = "https://crm.example.com";
export const contacts = createClient<ContactsPaths>({ baseUrl });
export const sales = createClient<SalesPaths>({ baseUrl });
export const service = createClient<ServicePaths>({ baseUrl });
export const marketing = createClient<MarketingPaths>({ baseUrl });
export const identity = createClient<IdentityPaths>({ baseUrl });

export async function personName(id: string): Promise<string | undefined> {
  const { data, error } = await contacts.GET("/api/v1/people/{id}", { params: { path: { id } } });
  if (error) {
    return error.detail ?? undefined;
  }
  return `${data.firstName} ${data.lastName}`;
}

export async function personSince(id: string): Promise<string | undefined> {
  const { data } = await contacts.GET("/api/v1/people/{id}", { params: { path: { id } } });
  // Timestamps are strings (RFC 3339, UTC); erasedAt is one or null.
  return data ? `${data.createdAt.slice(0, 10)}${data.erasedAt === null ? "" : ` (erased ${data.erasedAt?.slice(0, 10)})`}` : undefined;
}

export async function openDealsAmount(): Promise<number> {
  const { data } = await sales.GET("/api/v1/opportunities", {
    params: { query: { limit: 50, sort: "-amount", "filter[stage]": "proposal" } },
  });
  return (data?.items ?? []).reduce((sum, deal) => sum + Number(deal.amount), 0);
}

export async function ticketSubject(id: string): Promise<string | undefined> {
  const { data } = await service.GET("/api/v1/tickets/{id}", { params: { path: { id } } });
  return data?.subject;
}

export async function mayEmail(personId: string): Promise<boolean | undefined> {
  const { data } = await marketing.GET("/api/v1/marketing/contacts/{personId}/can-contact", {
    params: { path: { personId }, query: { purpose: "newsletter", channel: "email" } },
  });
  return data?.allowed;
}

export async function userCount(): Promise<number> {
  const { data } = await identity.GET("/api/v1/users", {});
  return data?.items.length ?? 0;
}
