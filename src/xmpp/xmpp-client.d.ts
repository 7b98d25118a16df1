/**
 * The part of `@xmpp/client` (ESM-only, untyped without @types) that cpe-sim uses.
 * Internal: loaded with a dynamic import() so the CommonJS build never requires it.
 */
declare module '@xmpp/client' {
  interface XmlElement {
    name: string;
    attrs: Record<string, string | undefined>;
    children: unknown[];
    is(name: string, ns?: string): boolean;
    getChild(name: string, ns?: string): XmlElement | undefined;
    getChildText(name: string, ns?: string): string | null;
    getChildElements(): XmlElement[];
    toString(): string;
  }
  interface IqContext {
    stanza: XmlElement;
    element: XmlElement;
    from: { toString(): string } | undefined;
  }
  interface XmppClient {
    status: string;
    jid: { toString(): string } | null;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(el: XmlElement): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): void;
    removeAllListeners(event?: string): void;
    iqCallee: { get(ns: string, name: string, handler: (ctx: IqContext) => unknown): void };
    iqCaller: { request(el: XmlElement, timeoutMs?: number): Promise<XmlElement> };
    reconnect: { delay: number; stop(): void };
    /** The SASL mechanisms this client knows (`saslmechanisms`' Factory): name → constructor. */
    saslFactory: { use(name: string, mech: abstract new () => unknown): unknown };
    isSecure(): boolean;
  }
  /** What a `credentials` function is given: log in with these credentials through this mechanism. */
  type SaslAuthenticate = (credentials: { username: string; password: string }, mechanism: string) => Promise<void>;
  export function client(options: {
    service: string;
    domain?: string;
    username?: string;
    password?: string;
    resource?: string;
    timeout?: number;
    /** Chooses the mechanism (of those the server offers) and the credentials itself. */
    credentials?: (authenticate: SaslAuthenticate, mechanisms: string[], fast: unknown, entity: XmppClient) => Promise<void>;
  }): XmppClient;
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: (XmlElement | string)[]): XmlElement;
}
