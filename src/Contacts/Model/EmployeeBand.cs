using System.Text.Json.Serialization;

namespace CrmPlatform.Contacts.Model;

/// <summary>An organization's size as a band of employees; stored as its number so that sorting goes small to large.</summary>
public enum EmployeeBand
{
    [JsonStringEnumMemberName("1-10")] From1To10 = 1,
    [JsonStringEnumMemberName("11-50")] From11To50 = 2,
    [JsonStringEnumMemberName("51-200")] From51To200 = 3,
    [JsonStringEnumMemberName("201-500")] From201To500 = 4,
    [JsonStringEnumMemberName("501-1000")] From501To1000 = 5,
    [JsonStringEnumMemberName("1001-5000")] From1001To5000 = 6,
    [JsonStringEnumMemberName("5001-10000")] From5001To10000 = 7,
    [JsonStringEnumMemberName("10001+")] Over10000 = 8,
}
