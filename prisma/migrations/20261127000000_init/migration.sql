-- CreateEnum
CREATE TYPE "OrganizationKind" AS ENUM ('RESEARCH_INSTITUTE', 'UNIVERSITY', 'ENTERPRISE', 'GOVERNMENT_BODY', 'COMMISSION', 'FUNDING_AGENCY', 'OTHER');

-- CreateEnum
CREATE TYPE "IdentifierScheme" AS ENUM ('ROR', 'WIKIDATA', 'BIN', 'LEI', 'OTHER');

-- CreateEnum
CREATE TYPE "MethodCategory" AS ENUM ('PRECIOUS_METAL_EXTRACTION', 'RARE_METAL_EXTRACTION', 'BASE_METAL_EXTRACTION', 'WASTE_PROCESSING', 'ORE_BENEFICIATION', 'ALLOY_PRODUCTION', 'EMISSIONS_REDUCTION', 'ENERGY_EFFICIENCY', 'OTHER');

-- CreateEnum
CREATE TYPE "PartnershipKind" AS ENUM ('CONTRACT_RESEARCH', 'PILOT_DEPLOYMENT', 'LICENSING', 'JOINT_PROGRAMME', 'HACKATHON', 'MEMORANDUM', 'COLLABORATION', 'VISIT', 'OTHER');

-- CreateEnum
CREATE TYPE "PartnershipStatus" AS ENUM ('PLANNED', 'ACTIVE', 'COMPLETED', 'ENDED', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "ParticipantRole" AS ENUM ('LEAD', 'PARTNER', 'INDUSTRY_PARTNER', 'FUNDER', 'HOST', 'OTHER');

-- CreateEnum
CREATE TYPE "ProgrammeKind" AS ENUM ('GRANT_FUNDING', 'PROGRAMME_TARGETED_FUNDING', 'COMMERCIALISATION_GRANT', 'OTHER');

-- CreateEnum
CREATE TYPE "AmountKind" AS ENUM ('ALLOCATED', 'AWARDED', 'DISBURSED', 'INVESTED', 'BUDGET');

-- CreateEnum
CREATE TYPE "AmountBound" AS ENUM ('EXACT', 'APPROXIMATE', 'AT_LEAST', 'AT_MOST');

-- CreateEnum
CREATE TYPE "ImpactMetric" AS ENUM ('CO2_EMISSIONS_AVOIDED', 'WASTE_PROCESSED', 'METAL_RECOVERY_RATE', 'PRODUCTION_CAPACITY', 'INVESTMENT', 'PROTOTYPES', 'TASKS', 'PARTICIPANTS', 'OTHER');

-- CreateEnum
CREATE TYPE "ImpactStatus" AS ENUM ('PLANNED', 'CLAIMED', 'VERIFIED');

-- CreateEnum
CREATE TYPE "DatePrecision" AS ENUM ('YEAR', 'MONTH', 'DAY');

-- CreateEnum
CREATE TYPE "Confidence" AS ENUM ('HIGH', 'LOW');

-- CreateTable
CREATE TABLE "Organization" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "kind" "OrganizationKind" NOT NULL,
    "nameEn" TEXT,
    "nameRu" TEXT,
    "nameKk" TEXT,
    "alternateNames" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "description" TEXT,
    "country" CHAR(2),
    "city" TEXT,
    "foundedYear" INTEGER,
    "website" TEXT,
    "parentId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrganizationIdentifier" (
    "id" SERIAL NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "scheme" "IdentifierScheme" NOT NULL,
    "otherScheme" TEXT NOT NULL DEFAULT '',
    "value" TEXT NOT NULL,

    CONSTRAINT "OrganizationIdentifier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Person" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "nameEn" TEXT,
    "nameRu" TEXT,
    "nameKk" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Role" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "startOn" DATE,
    "startPrecision" "DatePrecision",
    "endOn" DATE,
    "endPrecision" "DatePrecision",
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Role_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Method" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT,
    "category" "MethodCategory" NOT NULL,
    "technologyReadiness" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Method_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Partnership" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT,
    "kind" "PartnershipKind" NOT NULL,
    "status" "PartnershipStatus" NOT NULL DEFAULT 'UNKNOWN',
    "city" TEXT,
    "startOn" DATE,
    "startPrecision" "DatePrecision",
    "endOn" DATE,
    "endPrecision" "DatePrecision",
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Partnership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Participant" (
    "partnershipId" INTEGER NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "role" "ParticipantRole" NOT NULL,

    CONSTRAINT "Participant_pkey" PRIMARY KEY ("partnershipId","organizationId")
);

-- CreateTable
CREATE TABLE "Programme" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "kind" "ProgrammeKind" NOT NULL,
    "operatorId" INTEGER,
    "maxAwardAmount" DECIMAL(20,2),
    "maxAwardCurrency" CHAR(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Programme_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Funding" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "description" TEXT,
    "funderId" INTEGER,
    "recipientId" INTEGER,
    "programmeId" INTEGER,
    "partnershipId" INTEGER,
    "methodId" INTEGER,
    "amount" DECIMAL(20,2),
    "amountBound" "AmountBound" NOT NULL DEFAULT 'EXACT',
    "currency" CHAR(3),
    "amountKind" "AmountKind" NOT NULL,
    "dateOn" DATE,
    "datePrecision" "DatePrecision",
    "fiscalYearFrom" INTEGER,
    "fiscalYearTo" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Funding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Impact" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "partnershipId" INTEGER,
    "methodId" INTEGER,
    "organizationId" INTEGER,
    "metric" "ImpactMetric" NOT NULL,
    "description" TEXT NOT NULL,
    "value" DECIMAL(20,4),
    "valueBound" "AmountBound" NOT NULL DEFAULT 'EXACT',
    "unit" TEXT,
    "baselineValue" DECIMAL(20,4),
    "baselineNote" TEXT,
    "periodStartOn" DATE,
    "periodStartPrecision" "DatePrecision",
    "periodEndOn" DATE,
    "periodEndPrecision" "DatePrecision",
    "status" "ImpactStatus" NOT NULL,
    "claimantId" INTEGER,
    "claimantPersonId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Impact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Source" (
    "id" SERIAL NOT NULL,
    "url" TEXT NOT NULL,
    "title" TEXT,
    "publisher" TEXT,
    "language" TEXT NOT NULL,
    "publishedOn" DATE,
    "publishedPrecision" "DatePrecision",
    "retrievedOn" DATE,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Source_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Citation" (
    "id" SERIAL NOT NULL,
    "sourceId" INTEGER NOT NULL,
    "quote" TEXT,
    "confidence" "Confidence" NOT NULL DEFAULT 'HIGH',
    "note" TEXT,
    "organizationId" INTEGER,
    "personId" INTEGER,
    "roleId" INTEGER,
    "methodId" INTEGER,
    "partnershipId" INTEGER,
    "programmeId" INTEGER,
    "fundingId" INTEGER,
    "impactId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Citation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_MethodDevelopers" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,

    CONSTRAINT "_MethodDevelopers_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateTable
CREATE TABLE "_PartnershipMethods" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,

    CONSTRAINT "_PartnershipMethods_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateIndex
CREATE UNIQUE INDEX "Organization_slug_key" ON "Organization"("slug");

-- CreateIndex
CREATE INDEX "Organization_kind_idx" ON "Organization"("kind");

-- CreateIndex
CREATE INDEX "Organization_country_idx" ON "Organization"("country");

-- CreateIndex
CREATE INDEX "Organization_parentId_idx" ON "Organization"("parentId");

-- CreateIndex
CREATE UNIQUE INDEX "OrganizationIdentifier_scheme_otherScheme_value_key" ON "OrganizationIdentifier"("scheme", "otherScheme", "value");

-- CreateIndex
CREATE UNIQUE INDEX "OrganizationIdentifier_organizationId_scheme_otherScheme_key" ON "OrganizationIdentifier"("organizationId", "scheme", "otherScheme");

-- CreateIndex
CREATE UNIQUE INDEX "Person_slug_key" ON "Person"("slug");

-- CreateIndex
CREATE INDEX "Role_organizationId_idx" ON "Role"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "Role_personId_organizationId_title_key" ON "Role"("personId", "organizationId", "title");

-- CreateIndex
CREATE UNIQUE INDEX "Method_slug_key" ON "Method"("slug");

-- CreateIndex
CREATE INDEX "Method_category_idx" ON "Method"("category");

-- CreateIndex
CREATE UNIQUE INDEX "Partnership_slug_key" ON "Partnership"("slug");

-- CreateIndex
CREATE INDEX "Partnership_kind_idx" ON "Partnership"("kind");

-- CreateIndex
CREATE INDEX "Partnership_status_idx" ON "Partnership"("status");

-- CreateIndex
CREATE INDEX "Partnership_startOn_idx" ON "Partnership"("startOn");

-- CreateIndex
CREATE INDEX "Participant_organizationId_idx" ON "Participant"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "Programme_slug_key" ON "Programme"("slug");

-- CreateIndex
CREATE INDEX "Programme_operatorId_idx" ON "Programme"("operatorId");

-- CreateIndex
CREATE UNIQUE INDEX "Funding_slug_key" ON "Funding"("slug");

-- CreateIndex
CREATE INDEX "Funding_funderId_idx" ON "Funding"("funderId");

-- CreateIndex
CREATE INDEX "Funding_recipientId_idx" ON "Funding"("recipientId");

-- CreateIndex
CREATE INDEX "Funding_programmeId_idx" ON "Funding"("programmeId");

-- CreateIndex
CREATE INDEX "Funding_partnershipId_idx" ON "Funding"("partnershipId");

-- CreateIndex
CREATE INDEX "Funding_methodId_idx" ON "Funding"("methodId");

-- CreateIndex
CREATE INDEX "Funding_dateOn_idx" ON "Funding"("dateOn");

-- CreateIndex
CREATE UNIQUE INDEX "Impact_slug_key" ON "Impact"("slug");

-- CreateIndex
CREATE INDEX "Impact_partnershipId_idx" ON "Impact"("partnershipId");

-- CreateIndex
CREATE INDEX "Impact_methodId_idx" ON "Impact"("methodId");

-- CreateIndex
CREATE INDEX "Impact_organizationId_idx" ON "Impact"("organizationId");

-- CreateIndex
CREATE INDEX "Impact_claimantId_idx" ON "Impact"("claimantId");

-- CreateIndex
CREATE INDEX "Impact_metric_idx" ON "Impact"("metric");

-- CreateIndex
CREATE INDEX "Impact_status_idx" ON "Impact"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Source_url_key" ON "Source"("url");

-- CreateIndex
CREATE INDEX "Citation_sourceId_idx" ON "Citation"("sourceId");

-- CreateIndex
CREATE INDEX "Citation_organizationId_idx" ON "Citation"("organizationId");

-- CreateIndex
CREATE INDEX "Citation_personId_idx" ON "Citation"("personId");

-- CreateIndex
CREATE INDEX "Citation_roleId_idx" ON "Citation"("roleId");

-- CreateIndex
CREATE INDEX "Citation_methodId_idx" ON "Citation"("methodId");

-- CreateIndex
CREATE INDEX "Citation_partnershipId_idx" ON "Citation"("partnershipId");

-- CreateIndex
CREATE INDEX "Citation_programmeId_idx" ON "Citation"("programmeId");

-- CreateIndex
CREATE INDEX "Citation_fundingId_idx" ON "Citation"("fundingId");

-- CreateIndex
CREATE INDEX "Citation_impactId_idx" ON "Citation"("impactId");

-- CreateIndex
CREATE INDEX "_MethodDevelopers_B_index" ON "_MethodDevelopers"("B");

-- CreateIndex
CREATE INDEX "_PartnershipMethods_B_index" ON "_PartnershipMethods"("B");

-- AddForeignKey
ALTER TABLE "Organization" ADD CONSTRAINT "Organization_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrganizationIdentifier" ADD CONSTRAINT "OrganizationIdentifier_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Role" ADD CONSTRAINT "Role_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Role" ADD CONSTRAINT "Role_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_partnershipId_fkey" FOREIGN KEY ("partnershipId") REFERENCES "Partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Programme" ADD CONSTRAINT "Programme_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Funding" ADD CONSTRAINT "Funding_funderId_fkey" FOREIGN KEY ("funderId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Funding" ADD CONSTRAINT "Funding_recipientId_fkey" FOREIGN KEY ("recipientId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Funding" ADD CONSTRAINT "Funding_programmeId_fkey" FOREIGN KEY ("programmeId") REFERENCES "Programme"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Funding" ADD CONSTRAINT "Funding_partnershipId_fkey" FOREIGN KEY ("partnershipId") REFERENCES "Partnership"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Funding" ADD CONSTRAINT "Funding_methodId_fkey" FOREIGN KEY ("methodId") REFERENCES "Method"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Impact" ADD CONSTRAINT "Impact_partnershipId_fkey" FOREIGN KEY ("partnershipId") REFERENCES "Partnership"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Impact" ADD CONSTRAINT "Impact_methodId_fkey" FOREIGN KEY ("methodId") REFERENCES "Method"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Impact" ADD CONSTRAINT "Impact_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Impact" ADD CONSTRAINT "Impact_claimantId_fkey" FOREIGN KEY ("claimantId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Impact" ADD CONSTRAINT "Impact_claimantPersonId_fkey" FOREIGN KEY ("claimantPersonId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_methodId_fkey" FOREIGN KEY ("methodId") REFERENCES "Method"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_partnershipId_fkey" FOREIGN KEY ("partnershipId") REFERENCES "Partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_programmeId_fkey" FOREIGN KEY ("programmeId") REFERENCES "Programme"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_fundingId_fkey" FOREIGN KEY ("fundingId") REFERENCES "Funding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_impactId_fkey" FOREIGN KEY ("impactId") REFERENCES "Impact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_MethodDevelopers" ADD CONSTRAINT "_MethodDevelopers_A_fkey" FOREIGN KEY ("A") REFERENCES "Method"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_MethodDevelopers" ADD CONSTRAINT "_MethodDevelopers_B_fkey" FOREIGN KEY ("B") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_PartnershipMethods" ADD CONSTRAINT "_PartnershipMethods_A_fkey" FOREIGN KEY ("A") REFERENCES "Method"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_PartnershipMethods" ADD CONSTRAINT "_PartnershipMethods_B_fkey" FOREIGN KEY ("B") REFERENCES "Partnership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: CHECK constraints, which Prisma's schema language cannot express (and which
-- `prisma migrate diff` neither creates nor reports as drift). A CHECK passes when its expression
-- is NULL, so the comparisons below leave NULL columns alone.

-- A citation supports exactly one record.
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_one_record_check"
  CHECK (num_nonnulls("organizationId", "personId", "roleId", "methodId", "partnershipId", "programmeId", "fundingId", "impactId") = 1);

ALTER TABLE "Organization" ADD CONSTRAINT "Organization_name_check"
  CHECK (num_nonnulls("nameEn", "nameRu", "nameKk") >= 1);
ALTER TABLE "Organization" ADD CONSTRAINT "Organization_country_check"
  CHECK ("country" ~ '^[A-Z]{2}$');

ALTER TABLE "Person" ADD CONSTRAINT "Person_name_check"
  CHECK (num_nonnulls("nameEn", "nameRu", "nameKk") >= 1);

ALTER TABLE "Method" ADD CONSTRAINT "Method_technologyReadiness_check"
  CHECK ("technologyReadiness" BETWEEN 1 AND 9);

ALTER TABLE "Funding" ADD CONSTRAINT "Funding_amount_check"
  CHECK ("amount" >= 0);
ALTER TABLE "Funding" ADD CONSTRAINT "Funding_currency_check"
  CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "Funding" ADD CONSTRAINT "Funding_amount_currency_check"
  CHECK ("amount" IS NULL OR "currency" IS NOT NULL);

ALTER TABLE "Programme" ADD CONSTRAINT "Programme_maxAwardCurrency_check"
  CHECK ("maxAwardCurrency" ~ '^[A-Z]{3}$');
ALTER TABLE "Programme" ADD CONSTRAINT "Programme_maxAwardAmount_check"
  CHECK ("maxAwardAmount" >= 0);
ALTER TABLE "Programme" ADD CONSTRAINT "Programme_maxAward_currency_check"
  CHECK ("maxAwardAmount" IS NULL OR "maxAwardCurrency" IS NOT NULL);

-- otherScheme names the scheme exactly when scheme is OTHER.
ALTER TABLE "OrganizationIdentifier" ADD CONSTRAINT "OrganizationIdentifier_otherScheme_check"
  CHECK (("scheme" = 'OTHER') = ("otherScheme" <> ''));
