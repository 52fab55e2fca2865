-- CreateEnum
CREATE TYPE "MethodStage" AS ENUM ('LABORATORY', 'PILOT', 'INDUSTRIAL_TRIALS', 'PRODUCTION');

-- AlterTable
ALTER TABLE "Method" ADD COLUMN     "stage" "MethodStage";

-- CreateIndex
CREATE INDEX "Method_stage_idx" ON "Method"("stage");

