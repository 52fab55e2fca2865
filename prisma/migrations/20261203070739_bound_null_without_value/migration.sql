-- AlterTable
ALTER TABLE "Funding" ALTER COLUMN "amountBound" DROP NOT NULL,
ALTER COLUMN "amountBound" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Impact" ALTER COLUMN "valueBound" DROP NOT NULL,
ALTER COLUMN "valueBound" DROP DEFAULT;


-- A bound qualifies a number: an undisclosed amount or a missing figure has none.
UPDATE "Funding" SET "amountBound" = NULL WHERE "amount" IS NULL;
UPDATE "Impact" SET "valueBound" = NULL WHERE "value" IS NULL;
ALTER TABLE "Funding" ADD CONSTRAINT "Funding_amountBound_check" CHECK (("amount" IS NULL) = ("amountBound" IS NULL));
ALTER TABLE "Impact" ADD CONSTRAINT "Impact_valueBound_check" CHECK (("value" IS NULL) = ("valueBound" IS NULL));
