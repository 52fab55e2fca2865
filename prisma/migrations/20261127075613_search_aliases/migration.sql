-- CreateTable
CREATE TABLE "SlugAlias" (
    "type" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "recordId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SlugAlias_pkey" PRIMARY KEY ("type","slug")
);

-- CreateIndex
CREATE INDEX "SlugAlias_type_recordId_idx" ON "SlugAlias"("type", "recordId");

-- CreateIndex
CREATE INDEX "Funding_description_trgm_idx" ON "Funding" USING GIN ("description" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Impact_description_trgm_idx" ON "Impact" USING GIN ("description" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Method_title_trgm_idx" ON "Method" USING GIN ("title" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Method_summary_trgm_idx" ON "Method" USING GIN ("summary" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Organization_nameEn_trgm_idx" ON "Organization" USING GIN ("nameEn" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Organization_nameRu_trgm_idx" ON "Organization" USING GIN ("nameRu" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Organization_nameKk_trgm_idx" ON "Organization" USING GIN ("nameKk" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Organization_description_trgm_idx" ON "Organization" USING GIN ("description" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Partnership_title_trgm_idx" ON "Partnership" USING GIN ("title" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Partnership_summary_trgm_idx" ON "Partnership" USING GIN ("summary" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Person_nameEn_trgm_idx" ON "Person" USING GIN ("nameEn" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Person_nameRu_trgm_idx" ON "Person" USING GIN ("nameRu" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Person_nameKk_trgm_idx" ON "Person" USING GIN ("nameKk" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Programme_name_trgm_idx" ON "Programme" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Programme_description_trgm_idx" ON "Programme" USING GIN ("description" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Source_title_trgm_idx" ON "Source" USING GIN ("title" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Source_publisher_trgm_idx" ON "Source" USING GIN ("publisher" gin_trgm_ops);


-- CreateIndex
CREATE INDEX "Partnership_city_trgm_idx" ON "Partnership" USING GIN ("city" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Source_url_trgm_idx" ON "Source" USING GIN ("url" gin_trgm_ops);

-- Hand-written: a CHECK constraint, which Prisma's schema language cannot express.
ALTER TABLE "SlugAlias" ADD CONSTRAINT "SlugAlias_type_check"
  CHECK ("type" IN ('Organization', 'Person', 'Method', 'Partnership', 'Programme', 'Funding', 'Impact'));
