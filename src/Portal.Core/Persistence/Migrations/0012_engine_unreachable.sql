-- When the engine a run depends on stopped answering (null while it answers). A FAILED run that still has it was given
-- up for that reason, and is picked up again if its workload turns up.
ALTER TABLE "trainings" ADD COLUMN "Task_EngineUnreachableSince" TEXT NULL;
ALTER TABLE "deployments" ADD COLUMN "Task_EngineUnreachableSince" TEXT NULL;
ALTER TABLE "ide_sessions" ADD COLUMN "Task_EngineUnreachableSince" TEXT NULL;
