global using Orleans;
global using CityOps.Twin.Tests.Shared;
