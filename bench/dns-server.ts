/**
 * @module nanokube's DNS server as the benchmark runs it: the request
 * handler and listeners of src/dns over a cluster index filled from the
 * fixture (the same code path as the add-on, without the API watch), in a
 * process of its own so that dnsperf and the benchmark do not share its
 * event loop. Prints `port=N` when it answers.
 *
 *   node bench/dns-server.ts --host 127.0.0.30 --port 0 --upstream 127.0.0.20:PORT [--reuse-port]
 */
import { parseArgs } from 'node:util';
import { ClusterIndex } from '../src/dns/cluster-view.ts';
import { parseCorefile } from '../src/dns/corefile.ts';
import { Forwarder } from '../src/dns/forwarder.ts';
import { RequestHandler } from '../src/dns/handler.ts';
import { DnsMetrics } from '../src/dns/metrics.ts';
import { DnsServer } from '../src/dns/server.ts';
import { objects } from './dns-fixture.ts';

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.30' }, port: { type: 'string', default: '0' }, upstream: { type: 'string' }, 'reuse-port': { type: 'boolean', default: false } },
});
const [upHost, upPort] = String(values.upstream).split(':');
const index = new ClusterIndex();
const { services, slices } = objects();
for (const s of services) index.applyService('ADDED', s);
for (const s of slices) index.applySlice('ADDED', s);
// The add-on's default Corefile, forwarding to the benchmark's stub instead of resolv.conf.
const config = parseCorefile(`.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . ${upHost}:${upPort}
    cache 30
    loop
    reload
    loadbalance
}
`);
const handler = new RequestHandler({ view: index, metrics: new DnsMetrics({ server: 'dns://:53' }), forwarder: new Forwarder(), config, upstreams: [{ host: upHost, port: Number(upPort) }] });
const server = new DnsServer({ handler, host: values.host, port: Number(values.port), reusePort: values['reuse-port'] });
const stop = new AbortController();
process.on('SIGTERM', () => {
  stop.abort();
  process.exit(0);
});
await server.start(stop.signal);
console.log(`port=${server.port}`);
