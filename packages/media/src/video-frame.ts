// One still frame of a video, grabbed by the system's ffmpeg (Debian's `ffmpeg` package; the
// Docker image has a static build, 4.1, that docker/verify.sh checks on H.264 and HEVC). Without
// ffmpeg, videos simply get no thumbnail.
import { spawn } from 'node:child_process';

/** ffmpeg ran but produced no frame: the file is not a video it can decode. */
export class VideoFrameError extends Error {
  override readonly name = 'VideoFrameError';
}

export interface VideoFrameGrabberOptions {
  /** The ffmpeg binary: a name looked up on PATH (default `ffmpeg`) or a path. */
  ffmpegPath?: string;
  /** A run that takes longer is killed; 60 s by default. */
  timeoutMs?: number;
  /** The frame is scaled down (never up) to fit this box before it leaves ffmpeg. */
  maxEdge?: number;
}

export interface VideoFrameGrabber {
  /** Whether ffmpeg can be run; asked once, then remembered for the life of the grabber. */
  available(): Promise<boolean>;
  /**
   * A PNG of the frame about one second in (halfway through clips shorter than two seconds; the
   * first frame when the seek finds nothing), rotated as the video's display matrix says.
   *
   * @throws VideoFrameError when ffmpeg cannot decode a frame
   */
  grabFrame(path: string, options: { durationMs: number | null }): Promise<Buffer>;
}

/** The PNG of one frame at `maxEdge` px is a few MB; anything far larger is not what we asked for. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const STDERR_KEPT = 2000;

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: Error | undefined;
    const timer = setTimeout(() => {
      failure = new Error(`ffmpeg took longer than ${timeoutMs} ms`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FRAME_BYTES) {
        failure = new VideoFrameError('ffmpeg wrote far more than one frame');
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < STDERR_KEPT) stderr += text.slice(0, STDERR_KEPT - stderr.length);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      // One frame of at most a few MB, never the video: bounded by MAX_FRAME_BYTES.
      else resolve({ code, stdout: Buffer.concat(chunks), stderr: stderr.trim() });
    });
  });
}

/**
 * @example
 * const frames = createVideoFrameGrabber();
 * if (await frames.available()) sharp(await frames.grabFrame(path, { durationMs: 12_000 }));
 */
export function createVideoFrameGrabber(options: VideoFrameGrabberOptions = {}): VideoFrameGrabber {
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxEdge = options.maxEdge ?? 1440;
  let availability: Promise<boolean> | undefined;

  const frameAt = async (path: string, seconds: number): Promise<Buffer> => {
    const result = await run(
      ffmpeg,
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        // Seeking before -i jumps to the nearest keyframe: fast, and any frame near 1 s will do.
        '-ss',
        seconds.toFixed(3),
        // `file:` so that no part of a file name is read as a protocol or an option.
        '-i',
        `file:${path}`,
        '-map',
        '0:v:0',
        '-frames:v',
        '1',
        '-an',
        '-sn',
        '-dn',
        // Autorotation (on by default) runs first, so iw/ih are the picture as shown.
        '-vf',
        `scale='min(${maxEdge},iw)':'min(${maxEdge},ih)':force_original_aspect_ratio=decrease`,
        '-f',
        'image2pipe',
        '-c:v',
        'png',
        'pipe:1',
      ],
      timeoutMs,
    );
    if (result.code !== 0) {
      throw new VideoFrameError(
        `ffmpeg could not read a frame: ${result.stderr || `exit code ${result.code}`}`,
      );
    }
    return result.stdout;
  };

  return {
    available() {
      availability ??= run(ffmpeg, ['-hide_banner', '-version'], 10_000).then(
        (result) => result.code === 0,
        () => false,
      );
      return availability;
    },

    async grabFrame(path, { durationMs }) {
      const seek = durationMs !== null && durationMs < 2000 ? durationMs / 2000 : 1;
      const frame = await frameAt(path, seek);
      if (frame.length > 0) return frame;
      // A seek past the last frame (the stated duration was wrong) yields nothing: take the first.
      const first = await frameAt(path, 0);
      if (first.length > 0) return first;
      throw new VideoFrameError('the video has no frame ffmpeg can decode');
    },
  };
}
