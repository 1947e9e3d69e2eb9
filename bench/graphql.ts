/** One GraphQL request over HTTP, as a client sends it (the bench's set-up and first-answer checks; the load goes through autocannon). */
export async function post(url: string, body: unknown, token?: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return response.json();
}

/** `post`, returning `data` or throwing with the answer when it carries errors or lacks data. */
export async function request<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const answer = (await post(url, { query, variables }, token)) as { data?: T | null; errors?: unknown[] };
  if (answer.errors?.length || !answer.data) throw new Error(`${query.slice(0, 60)}...: ${JSON.stringify(answer)}`);
  return answer.data;
}
