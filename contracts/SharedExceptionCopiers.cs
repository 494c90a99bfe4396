using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using Orleans.Serialization.Cloning;

namespace CityOps.Twin.Contracts;

/// <summary>
/// Within a silo Orleans copies what a grain call returns, exceptions included, and the copier it generates for an
/// exception asks for one of its base class: Orleans has none for ArgumentException or InvalidOperationException, so
/// a case step refused in the same silo would fail with a KeyNotFoundException instead of the refusal. These copiers
/// hand the caller the instance the grain threw, as a faulted task shares its exception in .NET: nothing changes an
/// exception's data after it is thrown. Between silos the exceptions are serialized as usual.
/// </summary>
internal abstract class SharedExceptionCopier<TException> : IDeepCopier<TException>
    where TException : Exception
{
    public TException? DeepCopy(TException? input, CopyContext context) => input;
}

[RegisterCopier]
internal sealed class CaseTransitionExceptionCopier : SharedExceptionCopier<CaseTransitionException>;

[RegisterCopier]
internal sealed class CaseInputExceptionCopier : SharedExceptionCopier<CaseInputException>;

[RegisterCopier]
internal sealed class ModeSwitchExceptionCopier : SharedExceptionCopier<ModeSwitchException>;

/// <summary>Shared too, so that its cause (a storage provider's exception of any type) is never copied.</summary>
[RegisterCopier]
internal sealed class TwinNotDurableExceptionCopier : SharedExceptionCopier<TwinNotDurableException>;
