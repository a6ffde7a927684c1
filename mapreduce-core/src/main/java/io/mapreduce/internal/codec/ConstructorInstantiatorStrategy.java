package io.mapreduce.internal.codec;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.KryoException;
import io.mapreduce.thirdparty.org.objenesis.instantiator.ObjectInstantiator;
import io.mapreduce.thirdparty.org.objenesis.strategy.InstantiatorStrategy;
import io.mapreduce.thirdparty.org.objenesis.strategy.StdInstantiatorStrategy;
import java.lang.reflect.Constructor;

/**
 * Makes objects for Kryo with their no-argument constructor, called by reflection from this module,
 * else without a constructor (Objenesis: mappers configured through constructors have none).
 *
 * <p>Kryo's own default tries ReflectASM first, whose generated accessors live in an unnamed module:
 * a user's named module does not export its packages there, and every object of theirs would fail
 * with {@code IllegalAccessError}. Reflection from {@code io.mapreduce} needs only that the user's
 * module opens its packages to {@code io.mapreduce}, as record keys need anyway; on the class path
 * everything is open.
 */
final class ConstructorInstantiatorStrategy implements InstantiatorStrategy {
  private final InstantiatorStrategy withoutConstructor = new StdInstantiatorStrategy();

  @Override
  public <T> ObjectInstantiator<T> newInstantiatorOf(Class<T> type) {
    Constructor<T> constructor;
    try {
      constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
    } catch (NoSuchMethodException | RuntimeException noUsableConstructor) {
      // none, or in a package not opened to this module (InaccessibleObjectException)
      return withoutConstructor.newInstantiatorOf(type);
    }
    return () -> {
      try {
        return constructor.newInstance();
      } catch (ReflectiveOperationException e) {
        throw new KryoException("cannot make a " + type.getName() + " with its no-argument constructor: " + e, e);
      }
    };
  }
}
