global using CityOps.Twin.Runtime;
