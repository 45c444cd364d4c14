// Runs PostgreSQL and RabbitMQ from Debian's packages, as the postgres user when started as root (setpriv, /proc).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
