-- CreateTable
CREATE TABLE "objects" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "revision" BIGINT NOT NULL,
    "data" TEXT NOT NULL,

    CONSTRAINT "objects_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "events" (
    "revision" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "prev" TEXT,
    "createdAt" BIGINT NOT NULL,

    CONSTRAINT "events_pkey" PRIMARY KEY ("revision")
);

-- CreateTable
CREATE TABLE "meta" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "meta_pkey" PRIMARY KEY ("key")
);
