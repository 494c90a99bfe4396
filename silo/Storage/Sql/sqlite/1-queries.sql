-- The catalogue of queries Orleans' ADO.NET providers read at start ("SELECT QueryKey, QueryText FROM OrleansQuery"):
-- the table's and its columns' names are fixed by the providers; every other table here is ours.
-- Each query keeps the parameter names and result columns the providers bind by name (see the files beside this).
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
