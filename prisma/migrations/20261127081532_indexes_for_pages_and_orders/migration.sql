-- DropIndex
DROP INDEX "Funding_dateOn_idx";

-- DropIndex
DROP INDEX "Funding_funderId_idx";

-- DropIndex
DROP INDEX "Funding_methodId_idx";

-- DropIndex
DROP INDEX "Funding_partnershipId_idx";

-- DropIndex
DROP INDEX "Funding_programmeId_idx";

-- DropIndex
DROP INDEX "Funding_recipientId_idx";

-- DropIndex
DROP INDEX "Impact_claimantId_idx";

-- DropIndex
DROP INDEX "Impact_methodId_idx";

-- DropIndex
DROP INDEX "Impact_organizationId_idx";

-- DropIndex
DROP INDEX "Impact_partnershipId_idx";

-- DropIndex
DROP INDEX "Organization_parentId_idx";

-- DropIndex
DROP INDEX "Partnership_startOn_idx";

-- DropIndex
DROP INDEX "Role_organizationId_idx";

-- CreateIndex
CREATE INDEX "Funding_funderId_id_idx" ON "Funding"("funderId", "id");

-- CreateIndex
CREATE INDEX "Funding_recipientId_id_idx" ON "Funding"("recipientId", "id");

-- CreateIndex
CREATE INDEX "Funding_programmeId_id_idx" ON "Funding"("programmeId", "id");

-- CreateIndex
CREATE INDEX "Funding_partnershipId_id_idx" ON "Funding"("partnershipId", "id");

-- CreateIndex
CREATE INDEX "Funding_methodId_id_idx" ON "Funding"("methodId", "id");

-- CreateIndex
CREATE INDEX "Funding_dateOn_id_idx" ON "Funding"("dateOn", "id");

-- CreateIndex
CREATE INDEX "Funding_amount_id_idx" ON "Funding"("amount", "id");

-- CreateIndex
CREATE INDEX "Impact_partnershipId_id_idx" ON "Impact"("partnershipId", "id");

-- CreateIndex
CREATE INDEX "Impact_methodId_id_idx" ON "Impact"("methodId", "id");

-- CreateIndex
CREATE INDEX "Impact_organizationId_id_idx" ON "Impact"("organizationId", "id");

-- CreateIndex
CREATE INDEX "Impact_claimantId_id_idx" ON "Impact"("claimantId", "id");

-- CreateIndex
CREATE INDEX "Impact_claimantPersonId_id_idx" ON "Impact"("claimantPersonId", "id");

-- CreateIndex
CREATE INDEX "Impact_value_id_idx" ON "Impact"("value", "id");

-- CreateIndex
CREATE INDEX "Method_title_id_idx" ON "Method"("title", "id");

-- CreateIndex
CREATE INDEX "Method_technologyReadiness_id_idx" ON "Method"("technologyReadiness", "id");

-- CreateIndex
CREATE INDEX "Organization_parentId_id_idx" ON "Organization"("parentId", "id");

-- CreateIndex
CREATE INDEX "Organization_nameEn_id_idx" ON "Organization"("nameEn", "id");

-- CreateIndex
CREATE INDEX "Organization_foundedYear_id_idx" ON "Organization"("foundedYear", "id");

-- CreateIndex
CREATE INDEX "Partnership_startOn_id_idx" ON "Partnership"("startOn", "id");

-- CreateIndex
CREATE INDEX "Partnership_title_id_idx" ON "Partnership"("title", "id");

-- CreateIndex
CREATE INDEX "Person_nameEn_id_idx" ON "Person"("nameEn", "id");

-- CreateIndex
CREATE INDEX "Programme_name_id_idx" ON "Programme"("name", "id");

-- CreateIndex
CREATE INDEX "Role_organizationId_id_idx" ON "Role"("organizationId", "id");

-- CreateIndex
CREATE INDEX "Source_publishedOn_id_idx" ON "Source"("publishedOn", "id");


