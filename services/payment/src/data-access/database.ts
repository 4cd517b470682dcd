import { connectPrismaDatabase } from '@platform/shared/service/prisma-database';
import { PrismaClient, type Prisma } from './generated/client.ts';

export type Tx = Prisma.TransactionClient;

export const connectDatabase = (url: string, poolSize: number) => connectPrismaDatabase<Tx, PrismaClient>((adapter) => new PrismaClient({ adapter }), url, poolSize);
