-- CreateIndex
CREATE INDEX "Funding_amountKind_id_idx" ON "Funding"("amountKind", "id");

-- CreateIndex
CREATE INDEX "Funding_currency_id_idx" ON "Funding"("currency", "id");

-- CreateIndex
CREATE INDEX "Impact_unit_id_idx" ON "Impact"("unit", "id");

-- CreateIndex
CREATE INDEX "Programme_kind_id_idx" ON "Programme"("kind", "id");

-- CreateIndex
CREATE INDEX "Source_language_id_idx" ON "Source"("language", "id");

