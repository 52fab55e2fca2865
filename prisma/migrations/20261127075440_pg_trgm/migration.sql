-- Hand-written: the trigram extension that `search` and the trigram indexes of the next migration
-- use. A migration of its own because those indexes need it, and Prisma writes them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
