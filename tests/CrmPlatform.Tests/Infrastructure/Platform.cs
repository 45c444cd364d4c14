// The tests run PostgreSQL, RabbitMQ and the app host's resources as Linux processes, like the platform itself.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
