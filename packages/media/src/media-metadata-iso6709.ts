// ISO 6709 points ("+48.8584+002.2945+035.000/"), the form QuickTime uses for where a video
// was taken: `©xyz` in udta and Apple's com.apple.quicktime.location.ISO6709 key.
import { validCoordinates } from './media-metadata-facts.js';

const ISO_6709 = /^([+-])(\d+(?:\.\d*)?)([+-])(\d+(?:\.\d*)?)(?:([+-])(\d+(?:\.\d*)?))?(?:CRS[^/]*)?\/?$/;

/** A component in degrees, from ±DD(D).ddd, ±DD(D)MM.mmm or ±DD(D)MMSS.sss forms. */
function iso6709Degrees(sign: string, text: string, degreeDigits: number): number {
  const integerDigits = text.split('.')[0]?.length ?? 0;
  const value = Number(text);
  let degrees = value;
  if (integerDigits === degreeDigits + 2) {
    degrees = Math.trunc(value / 100) + (value % 100) / 60;
  } else if (integerDigits === degreeDigits + 4) {
    degrees = Math.trunc(value / 10_000) + (Math.trunc(value / 100) % 100) / 60 + (value % 100) / 3600;
  }
  return sign === '-' ? -degrees : degrees;
}

/**
 * An ISO 6709 point as Apple writes it ("+48.8584+002.2945+035.000/"): latitude, longitude and
 * the optional altitude in metres; null when malformed or out of range.
 */
export function parseIso6709(
  text: string,
): { latitude: number; longitude: number; altitude: number | null } | null {
  const match = ISO_6709.exec(text.replace(/\0/g, '').trim());
  if (!match) return null;
  const [, latSign = '+', lat = '', lonSign = '+', lon = '', altSign, alt] = match;
  const point = validCoordinates(iso6709Degrees(latSign, lat, 2), iso6709Degrees(lonSign, lon, 3));
  if (!point) return null;
  const altitude = alt === undefined ? null : Number(`${altSign}${alt}`);
  return { ...point, altitude: altitude !== null && Number.isFinite(altitude) ? altitude : null };
}
