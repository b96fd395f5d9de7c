-- Webhooks: URLs admins register for events, and each signed delivery with its attempts and the receiver's answer.
CREATE TABLE "webhooks" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_webhooks" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Url" TEXT NOT NULL,
    "Events" TEXT NOT NULL,
    "Secret" TEXT NOT NULL,
    "Enabled" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL
);
CREATE UNIQUE INDEX "IX_webhooks_Name" ON "webhooks" ("Name");

CREATE TABLE "webhook_deliveries" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY AUTOINCREMENT,
    "WebhookId" INTEGER NOT NULL,
    "Event" TEXT NOT NULL,
    "Subject" TEXT NOT NULL,
    "Payload" TEXT NOT NULL,
    "State" TEXT NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "ResponseStatus" INTEGER NULL,
    "Response" TEXT NULL,
    "NextAttemptAt" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "DeliveredAt" TEXT NULL,
    CONSTRAINT "FK_webhook_deliveries_webhooks_WebhookId" FOREIGN KEY ("WebhookId") REFERENCES "webhooks" ("Id") ON DELETE CASCADE
);
CREATE INDEX "IX_webhook_deliveries_WebhookId_Id" ON "webhook_deliveries" ("WebhookId", "Id");
CREATE INDEX "IX_webhook_deliveries_State_NextAttemptAt" ON "webhook_deliveries" ("State", "NextAttemptAt");
