-- GiST instead of GIN trigram indexes: GiST can hand rows over in order of similarity (ORDER BY
-- ... <-> ... LIMIT n), so `search` reads the best few matches instead of scoring every match.
-- siglen=256 (hand-written: Prisma's schema cannot express operator class options): with the
-- default 12-byte signature, inner pages of a large table cover nearly every trigram and a scan
-- visits most of the index.

-- DropIndex
DROP INDEX "Funding_description_trgm_idx";

-- DropIndex
DROP INDEX "Impact_description_trgm_idx";

-- DropIndex
DROP INDEX "Method_summary_trgm_idx";

-- DropIndex
DROP INDEX "Method_title_trgm_idx";

-- DropIndex
DROP INDEX "Organization_description_trgm_idx";

-- DropIndex
DROP INDEX "Organization_nameEn_trgm_idx";

-- DropIndex
DROP INDEX "Organization_nameKk_trgm_idx";

-- DropIndex
DROP INDEX "Organization_nameRu_trgm_idx";

-- DropIndex
DROP INDEX "Partnership_city_trgm_idx";

-- DropIndex
DROP INDEX "Partnership_summary_trgm_idx";

-- DropIndex
DROP INDEX "Partnership_title_trgm_idx";

-- DropIndex
DROP INDEX "Person_nameEn_trgm_idx";

-- DropIndex
DROP INDEX "Person_nameKk_trgm_idx";

-- DropIndex
DROP INDEX "Person_nameRu_trgm_idx";

-- DropIndex
DROP INDEX "Programme_description_trgm_idx";

-- DropIndex
DROP INDEX "Programme_name_trgm_idx";

-- DropIndex
DROP INDEX "Source_publisher_trgm_idx";

-- DropIndex
DROP INDEX "Source_title_trgm_idx";

-- DropIndex
DROP INDEX "Source_url_trgm_idx";

-- CreateIndex
CREATE INDEX "Funding_description_trgm_idx" ON "Funding" USING GIST ("description" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Impact_description_trgm_idx" ON "Impact" USING GIST ("description" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Method_title_trgm_idx" ON "Method" USING GIST ("title" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Method_summary_trgm_idx" ON "Method" USING GIST ("summary" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Organization_nameEn_trgm_idx" ON "Organization" USING GIST ("nameEn" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Organization_nameRu_trgm_idx" ON "Organization" USING GIST ("nameRu" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Organization_nameKk_trgm_idx" ON "Organization" USING GIST ("nameKk" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Organization_description_trgm_idx" ON "Organization" USING GIST ("description" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Organization_city_trgm_idx" ON "Organization" USING GIST ("city" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Partnership_title_trgm_idx" ON "Partnership" USING GIST ("title" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Partnership_summary_trgm_idx" ON "Partnership" USING GIST ("summary" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Partnership_city_trgm_idx" ON "Partnership" USING GIST ("city" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Person_nameEn_trgm_idx" ON "Person" USING GIST ("nameEn" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Person_nameRu_trgm_idx" ON "Person" USING GIST ("nameRu" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Person_nameKk_trgm_idx" ON "Person" USING GIST ("nameKk" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Programme_name_trgm_idx" ON "Programme" USING GIST ("name" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Programme_description_trgm_idx" ON "Programme" USING GIST ("description" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Source_title_trgm_idx" ON "Source" USING GIST ("title" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Source_publisher_trgm_idx" ON "Source" USING GIST ("publisher" gist_trgm_ops(siglen=256));

-- CreateIndex
CREATE INDEX "Source_url_trgm_idx" ON "Source" USING GIST ("url" gist_trgm_ops(siglen=256));


-- Hand-written: organizations' alternate names are a list, which an index can only cover through
-- an immutable expression (array_to_string is only stable); `search` matches this same expression.
CREATE FUNCTION search_alternate_names(names TEXT[]) RETURNS TEXT
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string(names, ' · ') $$;

CREATE INDEX "Organization_alternateNames_trgm_idx" ON "Organization" USING GIST (search_alternate_names("alternateNames") gist_trgm_ops(siglen=256));
