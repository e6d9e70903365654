"""kerasx.ops: every op of the registry (the ``keras.ops`` surface)."""

from kerasx.ops.core import *  # noqa: F403
from kerasx.ops.elementwise import *  # noqa: F403
from kerasx.ops.manipulation import *  # noqa: F403
from kerasx.ops.products import *  # noqa: F403
from kerasx.ops.reduction import *  # noqa: F403
