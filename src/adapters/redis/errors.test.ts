import { ReplyError } from 'ioredis';
import { isRedisConnectionFailure, translateRedisError } from './errors.js';

// What a Redis Cluster answers while the master of our slot fails over (issue 17): a dependency outage (503 with
// Retry-After, which sentry-cli retries), not an internal error (500, which it does not).

describe('Redis Cluster failover errors', () => {
  it.each([
    // ioredis' Cluster, once every re-send of a command is used up (cluster/index.js builds this message)
    new Error('Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down'),
    new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
    new Error('None of startup nodes is available'),
    new Error('Failed to refresh slots cache.'),
    // the nodes' own replies
    new ReplyError('CLUSTERDOWN The cluster is down'),
    new ReplyError('CLUSTERDOWN Hash slot not served'),
    new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot'),
  ])('%s is a connection failure, translated to redis_unavailable', (err) => {
    expect(isRedisConnectionFailure(err)).toBe(true);
    expect(translateRedisError(err)).toMatchObject({ code: 'redis_unavailable' });
  });

  it('leaves other replies alone', () => {
    const err = new ReplyError('CROSSSLOT Keys in request don\'t hash to the same slot');
    expect(isRedisConnectionFailure(err)).toBe(false);
    expect(translateRedisError(err)).toBe(err);
  });
});
