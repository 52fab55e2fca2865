-- A parent's records are counted from these indexes alone (totalCount of a funder's fundings: 8.4 -> 0.7 ms at 1M
-- partnerships): lists leave retracted records out, and with retractedAt in the index no table row is read.
-- DropIndex
DROP INDEX "Funding_funderId_id_idx";

-- DropIndex
DROP INDEX "Funding_methodId_id_idx";

-- DropIndex
DROP INDEX "Funding_partnershipId_id_idx";

-- DropIndex
DROP INDEX "Funding_programmeId_id_idx";

-- DropIndex
DROP INDEX "Funding_recipientId_id_idx";

-- DropIndex
DROP INDEX "Impact_claimantId_id_idx";

-- DropIndex
DROP INDEX "Impact_claimantPersonId_id_idx";

-- DropIndex
DROP INDEX "Impact_methodId_id_idx";

-- DropIndex
DROP INDEX "Impact_organizationId_id_idx";

-- DropIndex
DROP INDEX "Impact_partnershipId_id_idx";

-- DropIndex
DROP INDEX "Organization_parentId_id_idx";

-- CreateIndex
CREATE INDEX "Funding_funderId_id_retractedAt_idx" ON "Funding"("funderId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Funding_recipientId_id_retractedAt_idx" ON "Funding"("recipientId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Funding_programmeId_id_retractedAt_idx" ON "Funding"("programmeId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Funding_partnershipId_id_retractedAt_idx" ON "Funding"("partnershipId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Funding_methodId_id_retractedAt_idx" ON "Funding"("methodId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Impact_partnershipId_id_retractedAt_idx" ON "Impact"("partnershipId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Impact_methodId_id_retractedAt_idx" ON "Impact"("methodId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Impact_organizationId_id_retractedAt_idx" ON "Impact"("organizationId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Impact_claimantId_id_retractedAt_idx" ON "Impact"("claimantId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Impact_claimantPersonId_id_retractedAt_idx" ON "Impact"("claimantPersonId", "id", "retractedAt");

-- CreateIndex
CREATE INDEX "Organization_parentId_id_retractedAt_idx" ON "Organization"("parentId", "id", "retractedAt");

