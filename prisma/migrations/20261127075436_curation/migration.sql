-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('READ', 'WRITE', 'ADMIN');

-- CreateEnum
CREATE TYPE "ChangeAction" AS ENUM ('CREATE', 'UPDATE', 'RETRACT');

-- CreateEnum
CREATE TYPE "CorrectionStatus" AS ENUM ('OPEN', 'ACCEPTED', 'REJECTED');

-- AlterTable
ALTER TABLE "Funding" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractionReason" TEXT;

-- AlterTable
ALTER TABLE "Impact" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractionReason" TEXT;

-- AlterTable
ALTER TABLE "Method" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractionReason" TEXT;

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractionReason" TEXT;

-- AlterTable
ALTER TABLE "Partnership" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractionReason" TEXT;

-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractionReason" TEXT;

-- AlterTable
ALTER TABLE "Programme" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractionReason" TEXT;

-- AlterTable
ALTER TABLE "Source" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractionReason" TEXT;

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "scope" "ApiKeyScope" NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Change" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" "ChangeAction" NOT NULL,
    "recordType" TEXT NOT NULL,
    "recordId" INTEGER NOT NULL,
    "reason" TEXT,
    "fields" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "Change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Correction" (
    "id" SERIAL NOT NULL,
    "recordType" TEXT NOT NULL,
    "recordId" INTEGER NOT NULL,
    "message" TEXT NOT NULL,
    "sourceUrl" TEXT,
    "contact" TEXT,
    "status" "CorrectionStatus" NOT NULL DEFAULT 'OPEN',
    "resolution" TEXT,
    "resolvedBy" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Correction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_name_key" ON "ApiKey"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "Change_recordType_recordId_id_idx" ON "Change"("recordType", "recordId", "id");

-- CreateIndex
CREATE INDEX "Change_at_id_idx" ON "Change"("at", "id");

-- CreateIndex
CREATE INDEX "Correction_status_id_idx" ON "Correction"("status", "id");


-- Hand-written: a retraction always has both its date and its reason.
ALTER TABLE "Organization" ADD CONSTRAINT "Organization_retraction_check" CHECK (("retractedAt" IS NULL) = ("retractionReason" IS NULL));
ALTER TABLE "Person" ADD CONSTRAINT "Person_retraction_check" CHECK (("retractedAt" IS NULL) = ("retractionReason" IS NULL));
ALTER TABLE "Method" ADD CONSTRAINT "Method_retraction_check" CHECK (("retractedAt" IS NULL) = ("retractionReason" IS NULL));
ALTER TABLE "Partnership" ADD CONSTRAINT "Partnership_retraction_check" CHECK (("retractedAt" IS NULL) = ("retractionReason" IS NULL));
ALTER TABLE "Programme" ADD CONSTRAINT "Programme_retraction_check" CHECK (("retractedAt" IS NULL) = ("retractionReason" IS NULL));
ALTER TABLE "Funding" ADD CONSTRAINT "Funding_retraction_check" CHECK (("retractedAt" IS NULL) = ("retractionReason" IS NULL));
ALTER TABLE "Impact" ADD CONSTRAINT "Impact_retraction_check" CHECK (("retractedAt" IS NULL) = ("retractionReason" IS NULL));
ALTER TABLE "Source" ADD CONSTRAINT "Source_retraction_check" CHECK (("retractedAt" IS NULL) = ("retractionReason" IS NULL));
-- Reader reports are bounded so the table cannot be flooded with huge texts.
ALTER TABLE "Correction" ADD CONSTRAINT "Correction_length_check" CHECK (length("message") <= 4000 AND length(coalesce("sourceUrl", '')) <= 2000 AND length(coalesce("contact", '')) <= 200);
