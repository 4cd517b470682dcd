/**
 * A local SMTP sink for development and tests: accepts every message (no relaying anywhere),
 * keeps the last 1,000 in memory and shows them over HTTP, like the mail catchers teams use.
 *   SMTP on SMTP_SINK_PORT; HTTP on SMTP_SINK_HTTP_PORT:
 *   GET /messages → [{messageId, to, subject, text, receivedAt}]
 *   PUT /knobs {delayMs, failNext} → answer DATA late (the message is kept first) or refuse the
 *   next N messages with a temporary 451, to exercise a sender's retries and crashes.
 */
import { createServer } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const SMTP_PORT = Number(process.env.SMTP_SINK_PORT ?? 1025);
const HTTP_PORT = Number(process.env.SMTP_SINK_HTTP_PORT ?? 8025);
const KEPT = 1_000;

interface Received {
  messageId: string | null;
  to: string[];
  subject: string | null;
  text: string | null;
  receivedAt: string;
}

const messages: Received[] = [];
const knobs = { delayMs: 0, failNext: 0 };

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  size: 1024 * 1024,
  onData(stream, session, callback) {
    simpleParser(stream).then(
      async (mail) => {
        if (knobs.failNext > 0) {
          knobs.failNext -= 1;
          callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
          return;
        }
        messages.push({ messageId: mail.messageId ?? null, to: session.envelope.rcptTo.map((rcpt) => rcpt.address), subject: mail.subject ?? null, text: mail.text ?? null, receivedAt: new Date().toISOString() });
        if (messages.length > KEPT) messages.shift();
        if (knobs.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, knobs.delayMs));
        callback();
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  },
});
smtp.listen(SMTP_PORT, '127.0.0.1');

createServer((request, response) => {
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.method === 'GET' && request.url === '/messages') return send(200, messages);
  if (request.method === 'GET' && request.url === '/ready') return send(200, { status: 'ready' });
  if (request.method === 'PUT' && request.url === '/knobs') {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const given = JSON.parse(text || '{}') as Partial<typeof knobs>;
      if (typeof given.delayMs === 'number') knobs.delayMs = given.delayMs;
      if (typeof given.failNext === 'number') knobs.failNext = given.failNext;
      send(200, knobs);
    });
    return;
  }
  send(404, { title: 'Not Found' });
}).listen(HTTP_PORT, '127.0.0.1');

process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), service: 'smtp-sink', msg: `SMTP sink on ${SMTP_PORT}, messages on http://127.0.0.1:${HTTP_PORT}/messages` })}\n`);
const stop = () => smtp.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
