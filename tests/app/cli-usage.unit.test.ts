import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { main } from '../../app/cli.js';

/** Usage errors are found before anything connects: exit code 2 and one line naming the problem, then the usage. */
describe('chronicle audit and events tail: bad usage', () => {
  let stderr: string;
  beforeEach(() => {
    stderr = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const firstLine = () => stderr.split('\n')[0];

  it.each([
    [['audit', 'stream'], 'chronicle: "audit stream" needs a stream name'],
    [['audit', 'actor'], 'chronicle: "audit actor" needs an actor id'],
    [['audit', 'sideways', 'x'], 'chronicle: unknown command "audit sideways x"'],
    [['audit', 'stream', 'post-1', 'extra'], 'chronicle: unexpected "extra"'],
    [['audit', 'correlation', 'x', '--type', 'PostCreated'], 'chronicle: --stream, --category and --type belong to "events tail" and "audit actor"'],
    [['audit', 'correlation', 'x', '--backwards'], 'chronicle: --backwards belongs to "audit stream" and "audit actor"'],
    [['audit', 'actor', 'u1', '--type', 'A', '--type', 'B'], 'chronicle: --type may be given once for "audit actor"'],
    [['audit', 'stream', 'post-1', '--follow'], 'chronicle: --follow does not belong to "audit stream"'],
    [['audit', 'stream', '$all'], 'chronicle: the stream must not start with $ (reserved for the store)'],
    [['audit', 'stream', 'post-1', '--digest', 'digest.json'], 'chronicle: --digest does not belong to "audit stream"'],
    [['events', 'tail', '--backwards'], 'chronicle: --backwards belongs to "audit stream" and "audit actor"'],
    [['events', 'tail', '--type', ''], 'chronicle: --type must be 1 to 256 characters long'],
    [['migrate', '--stream', 'post-1'], 'chronicle: --stream, --category and --type belong to "events tail" and "audit actor"'],
    [['projections', 'status', '--category', 'post'], 'chronicle: --stream, --category, --type and --backwards do not belong to "projections"'],
  ])('%j', async (argv, line) => {
    expect(await main(argv)).toBe(2);
    expect(firstLine()).toBe(line);
  });
});
