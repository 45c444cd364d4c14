using Microsoft.AspNetCore.Components;

namespace CrmPlatform.AppHost.Dashboard;

public static class NavigationExtensions
{
    /// <summary>
    /// Changes one filter of a page whose filters live in the query string (the others stay), so that the address always
    /// says what is shown and can be shared; an empty value removes the filter.
    /// </summary>
    public static void NavigateToQueryParameter(this NavigationManager navigation, string name, string? value) =>
        navigation.NavigateTo(navigation.GetUriWithQueryParameter(name, string.IsNullOrWhiteSpace(value) ? null : value.Trim()));
}
