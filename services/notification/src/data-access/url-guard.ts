/**
 * Where webhooks may go (no SSRF): https only outside development; no credentials in the URL;
 * every address the host resolves to must be public — loopback, private, link-local (cloud
 * metadata at 169.254.169.254), CGNAT, multicast and unspecified ranges are refused — unless the
 * exact host:port is allowed by configuration (WEBHOOK_ALLOWED_TARGETS, for local receivers).
 * Checked at registration and again before every attempt (DNS may change).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { UrlGuard } from '../domain/webhook-ports.ts';

const blocked = new BlockList();
for (const [network, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(network, prefix, 'ipv6');

function isBlocked(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blocked.check(mapped, 'ipv4');
  return blocked.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

export function urlGuard(options: { allowHttp: boolean; allowedTargets: readonly string[] }): UrlGuard {
  return async (text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return 'not a URL';
    }
    if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:')) return 'must be https';
    if (url.username || url.password) return 'must not carry credentials';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    if (options.allowedTargets.includes(`${host}:${port}`)) return null;
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
    } catch {
      return 'the host does not resolve';
    }
    return addresses.length === 0 || addresses.some(isBlocked) ? 'must resolve to public addresses only (no loopback, private or link-local)' : null;
  };
}
