namespace CityOps.Twin.Web.Live;

/// <summary>
/// Which city one browser's view shows: the live city unless its user entered the running drill. Nothing is shared
/// between browsers: a user who enters a drill changes only their own view. When the drill ends the view returns to
/// the live city by itself.
/// </summary>
public sealed class TwinScope(TwinCity live, IDrillCities drills)
{
    /// <summary>The cookie that keeps a browser in the drill across page loads (a session cookie).</summary>
    public const string Cookie = "twin-city";

    private TwinCity? _entered;

    /// <summary>Raised when the city this view shows changes (entered, left, or the drill ended).</summary>
    public event Action? Switched;

    public TwinCity Live => live;

    /// <summary>The city this view shows now.</summary>
    public TwinCity Current => _entered is { } drill && ReferenceEquals(drills.Running, drill) ? drill : live;

    public bool InDrill => Current.IsDrill;

    /// <summary>The running drill can be entered (it is ready and this view is not in it).</summary>
    public bool CanEnter => drills.Running is not null && !InDrill;

    /// <summary>Enters the running drill; false if none is ready.</summary>
    public bool Enter()
    {
        if (drills.Running is not { } drill)
        {
            return false;
        }
        if (!ReferenceEquals(_entered, drill))
        {
            _entered = drill;
            Switched?.Invoke();
        }
        return true;
    }

    public void Leave()
    {
        if (_entered is not null)
        {
            _entered = null;
            Switched?.Invoke();
        }
    }

    /// <summary>Called when the drill desk changes: a view in a drill that ended returns to the live city.</summary>
    public void Refresh()
    {
        if (_entered is not null && !ReferenceEquals(drills.Running, _entered))
        {
            _entered = null;
            Switched?.Invoke();
        }
    }
}
