-- CreateTable
CREATE TABLE "DataVersion" (
    "recordType" TEXT NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "DataVersion_pkey" PRIMARY KEY ("recordType")
);

