/** The ledger service's public operations, for the OpenAPI document (scripts/openapi.ts). */
import { z } from 'zod';
import { isoTime, type ApiOperations } from '@platform/shared/http/api-operations';
import { ACCOUNT_TYPES } from '../domain/ports.ts';
import { accountParam, feeBody, statementQuery } from './http-routes.ts';

const minor = z.number().int();
const accountSchema = z
  .object({
    id: z.string().uuid(),
    type: z.enum(ACCOUNT_TYPES),
    ownerId: z.string().nullable(),
    currency: z.string(),
    posted: minor.meta({ description: 'Credits − debits posted: what the account holds, seen from its owner' }),
    pending: minor.meta({ description: 'Debits held by pending (two-phase) transfers' }),
    available: minor,
    debitsPosted: minor,
    creditsPosted: minor,
  })
  .meta({ id: 'LedgerAccount' });

const transferSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    orderId: z.string().uuid().nullable(),
    reversesId: z.string().nullable(),
    eventId: z.string().nullable(),
    correlationId: z.string().nullable(),
    createdAt: isoTime,
    postings: z.array(z.object({ accountId: z.string().uuid(), account: z.string(), currency: z.string(), debitMinor: minor, creditMinor: minor })),
  })
  .meta({ id: 'LedgerTransfer' });

export const ledgerOperations: ApiOperations = {
  'GET /wallet': {
    summary: "The customer's wallets: posted, pending and available per currency",
    answers: { 200: { description: 'The wallets', body: z.object({ wallets: z.array(z.object({ currency: z.string(), posted: minor, pending: minor, available: minor })) }) } },
  },
  'GET /ledger/entries': {
    summary: "An order's transfers, each with its postings",
    query: z.object({ orderId: z.string().uuid() }),
    answers: { 200: { description: 'The transfers', body: z.array(transferSchema) } },
  },
  'GET /ledger/trial-balance': {
    summary: 'Debits and credits per currency: the books balance when they are equal',
    answers: { 200: { description: 'The trial balance', body: z.object({ balanced: z.boolean(), currencies: z.array(z.object({ currency: z.string(), debitsMinor: minor, creditsMinor: minor, balanced: z.boolean() })) }) } },
  },
  'GET /ledger/accounts': {
    summary: "Accounts and balances (a customer's wallets, a merchant's payables, an admin's all; at most 500)",
    query: z.object({ type: z.enum(ACCOUNT_TYPES).optional() }),
    answers: { 200: { description: 'The accounts', body: z.array(accountSchema) } },
  },
  'GET /ledger/accounts/:id': { summary: 'One account and its balances', params: accountParam, answers: { 200: { description: 'The account', body: accountSchema } } },
  'GET /ledger/accounts/:id/statement': {
    summary: "An account's postings, newest first, with the running balance",
    params: accountParam,
    query: statementQuery,
    answers: {
      200: {
        description: 'A page of the statement',
        body: z.object({
          account: accountSchema,
          lines: z.array(z.object({ postingId: z.string(), transferId: z.string(), kind: z.string(), debitMinor: minor, creditMinor: minor, runningBalance: minor, at: isoTime })),
          nextBefore: z.string().nullable(),
        }),
      },
    },
  },
  'PUT /ledger/merchants/:id/fee': {
    summary: "Set a merchant's fee: basis points of each payment plus a fixed amount",
    params: z.object({ id: z.string().uuid() }),
    body: feeBody,
    answers: { 200: { description: 'Set', body: z.object({ merchantId: z.string().uuid(), bps: z.number().int(), fixedMinor: minor }) } },
  },
  'POST /ledger/transfers/:id/reversal': {
    summary: 'Correct a transfer by a reversing transfer (never by changing it); idempotent',
    params: z.object({ id: z.string().min(1).max(200) }),
    answers: {
      201: { description: 'Reversed now', body: z.object({ reversalId: z.string(), reverses: z.string(), created: z.literal(true) }) },
      200: { description: 'Already reversed', body: z.object({ reversalId: z.string(), reverses: z.string(), created: z.literal(false) }) },
    },
  },
};
