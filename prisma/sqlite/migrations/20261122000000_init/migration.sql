-- CreateTable
CREATE TABLE "objects" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "revision" BIGINT NOT NULL,
    "data" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "events" (
    "revision" BIGINT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "prev" TEXT,
    "createdAt" BIGINT NOT NULL
);

-- CreateTable
CREATE TABLE "meta" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);
