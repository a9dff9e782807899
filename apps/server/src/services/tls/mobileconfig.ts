// An iOS configuration profile that installs the local CA, so Shortcuts (which cannot pin) can
// talk HTTPS to the Pi. Unsigned: iOS shows it as "Not Verified", which is honest for a home server.
import { createHash } from 'node:crypto';

export interface CaProfileOptions {
  /** The CA certificate, DER. */
  caDer: Buffer;
  /** The CA's common name, shown as the payload's name. */
  caName: string;
  /** Derives stable identifiers, so a newer profile replaces the installed one instead of adding a second. */
  serverId: string;
  /** "iClood on raspberrypi". */
  displayName: string;
}

const UUID = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i;

/** RFC 4122 version-5 (SHA-1, name-based) UUID of `name` in the namespace `namespaceUuid`. */
export function nameBasedUuid(namespaceUuid: string, name: string): string {
  const match = UUID.exec(namespaceUuid);
  if (!match) throw new Error(`not a UUID: ${namespaceUuid}`);
  const namespace = Buffer.from(match.slice(1).join(''), 'hex');
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,64}/g) ?? []).join('\n\t\t\t');
}

/**
 * The `.mobileconfig` XML plist: one `com.apple.security.root` payload holding the CA. After
 * installing it, the user still has to switch on full trust in Settings › General › About ›
 * Certificate Trust Settings (iOS asks for that explicitly for every manually installed root).
 */
export function caMobileconfig({ caDer, caName, serverId, displayName }: CaProfileOptions): string {
  const profileUuid = nameBasedUuid(serverId, 'iclood:mobileconfig:profile');
  const payloadUuid = nameBasedUuid(serverId, 'iclood:mobileconfig:root-ca');
  const identifier = `local.iclood.${serverId.toLowerCase()}`;
  const string = (value: string) => `<string>${escapeXml(value)}</string>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>PayloadCertificateFileName</key>
			${string('iclood-ca.cer')}
			<key>PayloadContent</key>
			<data>
			${base64Lines(caDer)}
			</data>
			<key>PayloadDescription</key>
			${string('Lets this device trust the HTTPS certificate of your iClood server.')}
			<key>PayloadDisplayName</key>
			${string(caName)}
			<key>PayloadIdentifier</key>
			${string(`${identifier}.root-ca`)}
			<key>PayloadType</key>
			${string('com.apple.security.root')}
			<key>PayloadUUID</key>
			${string(payloadUuid)}
			<key>PayloadVersion</key>
			<integer>1</integer>
		</dict>
	</array>
	<key>PayloadDescription</key>
	${string('Installs the certificate authority of your iClood photo backup server, so Shortcuts can upload over HTTPS. It is only valid for home-network names and addresses.')}
	<key>PayloadDisplayName</key>
	${string(displayName)}
	<key>PayloadIdentifier</key>
	${string(identifier)}
	<key>PayloadOrganization</key>
	${string('iClood')}
	<key>PayloadRemovalDisallowed</key>
	<false/>
	<key>PayloadType</key>
	${string('Configuration')}
	<key>PayloadUUID</key>
	${string(profileUuid)}
	<key>PayloadVersion</key>
	<integer>1</integer>
</dict>
</plist>
`;
}
