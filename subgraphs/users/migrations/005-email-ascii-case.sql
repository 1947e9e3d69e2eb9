-- Emails are the same account when they differ only in the case of ASCII letters, compared by
-- lower() under the "C" collation, which folds ASCII letters and nothing else whatever the
-- database's locale: plain lower() followed the locale (in most, 'İ' became 'i', so an address
-- users' own checks took for another matched a demo account's here). users refuses other than
-- ASCII in new addresses, and compares the same way in its code (emailKey).
-- Existing rows stay as they are: an email unique under the locale's folding is unique under
-- this narrower one (a Turkish locale, folding 'I' to 'ı', is the one exception: two such rows
-- would stop this migration, naming them, for an operator to settle).
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users (lower(email COLLATE "C"));
