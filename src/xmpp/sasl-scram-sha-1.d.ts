/**
 * The part of `sasl-scram-sha-1` (CommonJS, untyped; the SCRAM-SHA-1 mechanism
 * `@xmpp/client` registers) that cpe-sim uses. Internal.
 */
declare module 'sasl-scram-sha-1' {
  /** Credentials as the mechanism reads them; `salt` + `saltedPassword` skip its own Hi(). */
  export interface ScramCredentials {
    username: string;
    password: string;
    salt?: Uint8Array;
    saltedPassword?: Uint8Array;
  }
  /** The mechanism (module.exports): SASL factory constructor. */
  export default class Mechanism {
    name: string;
    clientFirst: boolean;
    protected _stage: string;
    protected _salt: Uint8Array;
    protected _iterationCount: number;
    response(cred: ScramCredentials): string | Promise<string>;
    challenge(chal: string): this;
  }
}
