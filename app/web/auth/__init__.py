"""Sign-in pages: /login, /logout, / (to the person's home), /session (for live.js)."""
