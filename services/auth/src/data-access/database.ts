import { PrismaPg } from '@prisma/adapter-pg';
import { prismaDatabase } from '@platform/shared/service/prisma-database';
import { PrismaClient, type Prisma } from './generated/client.ts';

export type Tx = Prisma.TransactionClient;

export function connectDatabase(url: string, poolSize: number) {
  return prismaDatabase<Tx, PrismaClient>(new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) }));
}
