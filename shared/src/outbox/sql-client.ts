/**
 * The slice of a Prisma transaction client that the messaging library needs. Every
 * service's generated client satisfies it, so shared/ does not depend on any one schema.
 */
export interface SqlTransaction {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- mirrors Prisma's own signature
  $executeRawUnsafe(query: string, ...values: any[]): PromiseLike<number>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- mirrors Prisma's own signature
  $queryRawUnsafe<T = unknown>(query: string, ...values: any[]): PromiseLike<T>;
}
