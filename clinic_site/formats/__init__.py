"""How dates and times read in the admin: "2 Dec 2026, 16:59", a 24-hour clock with no "a.m."
(whose own full stop doubled up at the end of a sentence)."""
