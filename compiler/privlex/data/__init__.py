"""Deciding datasets: `facts` (which columns are facts), `schema` (Arrow columns to facts),
`encode` (grouping rows by fact values), `verdicts` (one decision per distinct use), `records`
(JSON records), `batch` (tables), `formats` and `filter` (`privlex filter`)."""
