namespace CityOps.Twin.Contracts.Cases;

/// <summary>Where a case stands in the closed loop (GB/T 30428, CJJ/T 106).</summary>
[GenerateSerializer, Alias("CityOps.Cases.CaseStatus")]
public enum CaseStatus
{
    /// <summary>信息收集: reported, not yet verified.</summary>
    Reported,

    /// <summary>立案: verified and registered.</summary>
    Registered,

    /// <summary>作废: found not to be a case on verification (核实).</summary>
    Cancelled,

    /// <summary>派遣: sent to a disposal team.</summary>
    Dispatched,

    /// <summary>处置: the team is working on it.</summary>
    Handling,

    /// <summary>反馈: the team reported it done; waiting for the check (核查).</summary>
    Feedback,

    /// <summary>结案: the check passed.</summary>
    Closed,

    /// <summary>综合评价: closed and evaluated.</summary>
    Evaluated,
}

/// <summary>The steps of the loop; each moves a case from one status to the next.</summary>
[GenerateSerializer, Alias("CityOps.Cases.CaseAction")]
public enum CaseAction
{
    Register,
    Cancel,
    Dispatch,
    StartHandling,
    GiveFeedback,
    PassCheck,

    /// <summary>核查不通过: back to Dispatched, counted as rework (返工).</summary>
    FailCheck,
    Evaluate,
}

/// <summary>Where a case came from.</summary>
[GenerateSerializer, Alias("CityOps.Cases.CaseSource")]
public enum CaseSource
{
    Patrol,
    Hotline12345,
    Police110,
    Sensor,
    CameraAi,
    Elevator,
}

[GenerateSerializer, Alias("CityOps.Cases.CaseUrgency")]
public enum CaseUrgency
{
    Normal,
    Urgent,
    Critical,
}
