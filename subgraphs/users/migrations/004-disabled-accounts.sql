-- An account nobody may sign in as, and why (`demo-password`: a demo account that production
-- found still opening with its published password; it disables the account and warns, rather
-- than refusing to start). Its sessions are ended when it is disabled.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
ALTER TABLE users ADD COLUMN disabled_reason text;
