package dev.tandem.models.step;

import dev.tandem.models.checkpoint.LlamaConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The TorchScript archive of the step, written in memory at start: what {@code torch.jit.save} would
 * write for a module with no tensors. A zip of stored entries {@code step/version},
 * {@code step/data.pkl} (the module object and its attributes, pickled), {@code step/constants.pkl}
 * (an empty tuple) and {@code step/code/__torch__.py} (the program, {@code step.py} beside this class),
 * which PyTorch compiles when it loads the archive. Nothing needs Python.
 */
final class StepArchive {
    static final String PROGRAM = "step.py";
    private static final String NAME = "step";
    /** The archive format version of the probe this layout was taken from (accepted by PyTorch 2.x). */
    private static final String VERSION = "4\n";

    private StepArchive() {}

    /**
     * What the program's attributes are made of.
     *
     * @param device a PyTorch device string: "cpu", "cuda:0"
     */
    record Settings(LlamaConfig config, int blockSize, ComputeDtype dtype, String device) {
        /**
         * On the CPU the products run as oneDNN's linear over weights packed once into its blocked
         * layout (float32 and bfloat16; 0.5-0.85x the time of plain weights, measured: step.py's pack);
         * elsewhere as linear over [out, in]. Not float16: oneDNN packs it only on CPUs with AVX512_FP16
         * or AVX-NE-CONVERT (and refuses elsewhere), and a CPU never serves float16 anyway (DtypeChoice).
         */
        boolean onednnProducts() {
            return device.equals("cpu") && dtype != ComputeDtype.FLOAT16;
        }
    }

    /** The archive's bytes for {@code settings}. */
    static byte[] write(Settings settings) {
        return write(settings, program());
    }

    /** The archive's bytes for {@code settings} around {@code programText} (step.py or a variant of it). */
    static byte[] write(Settings settings, byte[] programText) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, NAME + "/version", VERSION.getBytes(StandardCharsets.US_ASCII));
            stored(zip, NAME + "/data.pkl", moduleObject(settings));
            stored(zip, NAME + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // ()
            stored(zip, NAME + "/code/__torch__.py", programText);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the step archive", e);
        }
        return bytes.toByteArray();
    }

    /** The program's source text, as kept in the repository. */
    static byte[] program() {
        try (InputStream in = StepArchive.class.getResourceAsStream(PROGRAM)) {
            if (in == null) {
                throw new IllegalStateException(PROGRAM + " is missing from the class path beside " + StepArchive.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROGRAM, e);
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED); // PyTorch reads records uncompressed
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        entry.setTime(315532800000L); // 1980-01-01, as torch.jit.save: the bytes do not depend on the day
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** {@code __torch__.Step} with the attributes step.py declares, in pickle protocol 2 (the subset TorchScript reads). */
    static byte[] moduleObject(Settings s) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("training", false);
        attributes.put("num_layers", s.config().numHiddenLayers());
        attributes.put("num_heads", s.config().numAttentionHeads());
        attributes.put("num_kv_heads", s.config().numKeyValueHeads());
        attributes.put("head_dim", s.config().headDim());
        attributes.put("block_size", s.blockSize());
        attributes.put("rms_norm_eps", s.config().rmsNormEps());
        attributes.put("dtype", s.dtype().torchCode());
        attributes.put("device", s.device());
        attributes.put("onednn_products", s.onednnProducts());
        Pickle p = new Pickle();
        p.op(0x80).op(2);                                     // PROTO 2
        p.op('c').ascii("__torch__\nStep\n");                 // GLOBAL the class
        p.op(')').op(0x81);                                   // EMPTY_TUPLE, NEWOBJ
        p.op('}').op('(');                                    // EMPTY_DICT, MARK
        attributes.forEach((key, value) -> p.value(key).value(value));
        p.op('u').op('b').op('.');                            // SETITEMS, BUILD, STOP
        return p.bytes();
    }

    /** The few pickle opcodes the module object needs. */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int code) {
            out.write(code);
            return this;
        }

        Pickle ascii(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle value(Object v) {
            if (v instanceof Boolean b) {
                return op(b ? 0x88 : 0x89);                   // NEWTRUE / NEWFALSE
            }
            if (v instanceof Integer i) {
                op('J');                                      // BININT: 4 bytes little-endian
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
                return this;
            }
            if (v instanceof Double d) {
                op('G');                                      // BINFLOAT: 8 bytes big-endian
                out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(d).array());
                return this;
            }
            if (v instanceof String s) {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                op('X');                                      // BINUNICODE: length, UTF-8
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
                out.writeBytes(utf8);
                return this;
            }
            throw new IllegalArgumentException("no pickle form for " + v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
