package io.streamrec.kernel;

import java.lang.reflect.Constructor;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * Picks a kernel's Vector API implementation when the JVM has {@code jdk.incubator.vector} (the launchers, the tests
 * and the images pass {@code --add-modules}), else its plain loops. The Vector class is loaded by name, so nothing
 * links against the incubator module unless it is there.
 */
public final class VectorApi {
    private VectorApi() {
    }

    public static <T> T fastest(Class<T> kernel, String vectorClass, Supplier<T> plainLoops) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                // The implementation may be package-private, beside its interface.
                Constructor<?> constructor = Class.forName(vectorClass).getDeclaredConstructor();
                constructor.setAccessible(true);
                return kernel.cast(constructor.newInstance());
            } catch (ReflectiveOperationException | LinkageError e) {
                LoggerFactory.getLogger(kernel).warn("Vector API present but unusable ({}); plain loops", e.toString());
            }
        }
        return plainLoops.get();
    }
}
