using CrmPlatform.AppHost.Output;

namespace CrmPlatform.AppHost.Orchestration;

/// <summary>What resources need while they start: settings, the state folder, where projects are, the console.</summary>
internal sealed record RunContext(AppHostOptions Options, StateFolder State, ResourceOutput Output, ILogger Logger);
