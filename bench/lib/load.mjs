import autocannon from 'autocannon';

/**
 * Closed-loop load with autocannon on loopback: `connections` keep-alive connections, each with
 * one request in flight, for `seconds` (or until `amount` requests). Returns req/s and latency.
 */
export async function load({ port, path, method = 'GET', headers = {}, body, connections = 32, seconds = 4, amount, rate }) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method,
    headers,
    body,
    connections,
    pipelining: 1,
    duration: seconds,
    ...(amount ? { amount } : {}),
    ...(rate ? { overallRate: rate } : {}),
    timeout: 10,
  });
  const ok = result.requests.total - result.non2xx - result.errors;
  return {
    rps: result.requests.total / (result.duration || seconds),
    okRps: ok / (result.duration || seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
