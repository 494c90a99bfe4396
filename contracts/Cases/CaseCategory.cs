namespace CityOps.Twin.Contracts.Cases;

/// <summary>Minutes allowed for each step of the loop.</summary>
public sealed record StepDeadlines(int Register, int Dispatch, int Dispose, int Check)
{
    public string? Problem() => Register <= 0 || Dispatch <= 0 || Dispose <= 0 || Check <= 0
        ? $"every deadline must be a positive number of minutes; got register {Register}, dispatch {Dispatch}, dispose {Dispose}, check {Check}"
        : null;
}

/// <summary>A case category of the catalogue: its code, major class and name (Chinese, then English), urgency and deadlines by mode.</summary>
public sealed record CaseCategory(string Code, string Major, string Name, CaseUrgency Urgency, StepDeadlines Normal, StepDeadlines Emergency)
{
    public StepDeadlines DeadlinesIn(Mode.OperatingMode mode) => mode == Mode.OperatingMode.Emergency ? Emergency : Normal;
}
