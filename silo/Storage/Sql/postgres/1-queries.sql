-- The catalogue of queries Orleans' ADO.NET providers read at start ("SELECT QueryKey, QueryText FROM OrleansQuery"):
-- the table's and its columns' names are fixed by the providers; every other table here is ours.
-- Each query keeps the parameter names and result columns the providers bind by name (see the files beside this).
-- Parameters are cast where they are read: the providers send NULLs untyped, and PostgreSQL must know their types.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);
